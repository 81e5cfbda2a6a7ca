"""Planted topics of general surgery and the specialties listed after it in ``SPECIALTIES``
(surgical, emergency, primary care, anesthesia, diagnostic and other specialties; data only).

Entry format (as for ``specialties.CROSS_TOPICS``): ``mentor interest | mentor research area
| interventions | mentee-side paraphrases``.
"""

from __future__ import annotations

SURGICAL_TOPICS: dict[str, tuple[str, ...]] = {
    "general surgery": (
        "trauma surgery | hemorrhage control in trauma"
        " | whole blood resuscitation; REBOA"
        " | gunshot wounds and car crashes; patients bleeding after an accident",
        "pancreatic surgery | outcomes after pancreaticoduodenectomy"
        " | the Whipple procedure; neoadjuvant FOLFIRINOX"
        " | big cancer operations in the belly; pancreas tumors",
        "bariatric surgery | metabolic surgery outcomes"
        " | sleeve gastrectomy; Roux-en-Y gastric bypass"
        " | weight-loss surgery; operations for severe obesity",
        "colorectal surgery | enhanced recovery after colorectal surgery"
        " | ERAS pathways; transanal total mesorectal excision"
        " | bowel surgery; bouncing back faster after an operation",
        "emergency general surgery | emergency general surgery in older adults"
        " | nonoperative management of appendicitis; frailty screening"
        " | appendicitis and middle-of-the-night operations; old patients needing urgent surgery",
        "surgical education | resident autonomy and operative skill assessment"
        " | simulation curricula; entrustable professional activities"
        " | how surgeons learn to operate; practicing on simulators",
        "breast surgical oncology | breast-conserving surgery and margins"
        " | oncoplastic surgery; sentinel lymph node biopsy"
        " | lumpectomy versus mastectomy; operating on breast tumors",
        "abdominal wall reconstruction | complex ventral hernia repair"
        " | robotic ventral hernia repair; component separation"
        " | hernias; rebuilding the belly wall",
    ),
    "orthopaedic surgery": (
        "sports medicine | ACL reconstruction and return to sport"
        " | graft choice in ACL reconstruction; return-to-play testing"
        " | knee injuries in athletes; getting players back on the field",
        "adult reconstruction | outcomes of total hip and knee arthroplasty"
        " | outpatient arthroplasty; robotic-assisted knee replacement"
        " | new hips and knees; surgery for worn-out arthritic joints",
        "spine surgery | degenerative lumbar spine surgery outcomes"
        " | minimally invasive lumbar fusion; lumbar decompression"
        " | back surgery; pinched nerves in the lower back",
        "orthopaedic trauma | geriatric hip fracture care"
        " | surgery within 48 hours; orthogeriatric comanagement"
        " | broken hips in older adults; fixing bad fractures",
        "hand surgery | carpal tunnel syndrome and hand function"
        " | wide-awake local anesthesia surgery; tendon transfers"
        " | hand and wrist problems; numb fingers",
        "pediatric orthopaedics | adolescent idiopathic scoliosis"
        " | bracing; vertebral body tethering"
        " | curved spines in teenagers; kids' bone problems",
        "shoulder and elbow surgery | rotator cuff repair outcomes"
        " | reverse shoulder arthroplasty; arthroscopic rotator cuff repair"
        " | shoulder injuries; throwing injuries in pitchers",
        "musculoskeletal oncology | limb salvage in bone sarcoma"
        " | endoprosthetic reconstruction; 3D-printed implants"
        " | bone cancer; saving arms and legs from amputation",
    ),
    "neurosurgery": (
        "neurosurgical oncology | glioblastoma resection"
        " | fluorescence-guided surgery; laser interstitial thermal therapy"
        " | operating on brain cancer; tumors inside the head",
        "cerebrovascular neurosurgery | aneurysm and arteriovenous malformation treatment"
        " | flow diverters; microsurgical clipping"
        " | ballooning blood vessels in the brain; bleeding in the brain",
        "traumatic brain injury | intracranial pressure monitoring"
        " | decompressive craniectomy; ICP-guided therapy"
        " | serious head injuries; swelling of the brain after a crash",
        "cervical spine surgery | degenerative cervical myelopathy"
        " | anterior cervical discectomy and fusion; laminoplasty"
        " | neck problems pressing on the spinal cord",
        "functional neurosurgery | neuromodulation for movement disorders and epilepsy"
        " | deep brain stimulation; vagus nerve stimulation"
        " | brain pacemakers; wiring devices into the nervous system",
        "pediatric neurosurgery | hydrocephalus in children"
        " | endoscopic third ventriculostomy; shunt failure prediction"
        " | fluid on the brain in babies; kids needing brain operations",
        "skull base surgery | endoscopic endonasal skull base surgery"
        " | endoscopic endonasal approach; vestibular schwannoma radiosurgery"
        " | tumors at the base of the skull; operating through the nose",
        "peripheral nerve surgery | brachial plexus injury reconstruction"
        " | nerve transfers; nerve grafting"
        " | nerve injuries in the arm; restoring movement after a motorcycle crash",
    ),
    "emergency medicine": (
        "resuscitation science | out-of-hospital cardiac arrest"
        " | bystander CPR; ECMO-facilitated resuscitation"
        " | CPR and saving people whose hearts stop; bringing people back to life",
        "emergency ultrasound | point-of-care ultrasound in the emergency department"
        " | FAST exam; ultrasound-guided nerve blocks"
        " | quick bedside scans for trauma; using ultrasound in the ER",
        "medical toxicology | overdose and poisoning management"
        " | naloxone distribution; fomepizole"
        " | overdoses; poisonings and snake bites",
        "EMS and prehospital care | prehospital care systems"
        " | prehospital blood transfusion; community paramedicine"
        " | ambulance medicine; working with paramedics",
        "emergency department operations | emergency department boarding and throughput"
        " | split-flow triage; provider-in-triage"
        " | long ER waits; overcrowded hospitals",
        "disaster medicine | mass casualty preparedness"
        " | triage drills; Stop the Bleed training"
        " | disasters and mass shootings; emergency preparedness",
        "geriatric emergency medicine | falls in older adults presenting to the ED"
        " | geriatric ED screening; delirium screening"
        " | older patients in the ER; grandparents who fall",
        "violence intervention | hospital-based violence intervention"
        " | violence intervention programs; firearm injury counseling"
        " | gun violence; helping young people after violent injuries",
    ),
    "family medicine": (
        "rural medicine | rural health workforce"
        " | rural training tracks; telehealth outreach"
        " | being a doctor in a small town; healthcare in farm country",
        "family medicine obstetrics | maternity care in family medicine"
        " | group prenatal care; rural obstetric units"
        " | delivering babies as a family doctor",
        "community health center care | diabetes care in community health centers"
        " | group visits; pharmacist-led titration"
        " | taking care of whole families; long-term relationships with patients",
        "primary care sports medicine | concussion management in youth sports"
        " | graded return-to-learn; sideline assessment"
        " | team doctor for high school sports; kids' concussions",
        "behavioral health integration | integrated behavioral health in primary care"
        " | collaborative care model; warm handoffs"
        " | mental health in the regular doctor's office",
        "refugee and immigrant health | health of resettled refugees"
        " | medical interpreter use; trauma-informed screening"
        " | caring for refugees; health of immigrant families",
        "home-based primary care | home visits for homebound older adults"
        " | house calls; advance care planning"
        " | doctors who visit patients at home; care for people who can't leave the house",
        "lifestyle medicine | nutrition counseling and lifestyle medicine"
        " | culinary medicine; food-as-medicine prescriptions"
        " | healthy food as medicine; cooking classes for patients",
    ),
    "anesthesiology": (
        "regional anesthesia | peripheral nerve blocks for postoperative pain"
        " | erector spinae plane block; continuous perineural catheters"
        " | numbing specific nerves for surgery; pain control after operations",
        "cardiac anesthesiology | perioperative transesophageal echocardiography"
        " | TEE-guided management; goal-directed fluid therapy"
        " | putting heart surgery patients to sleep; heart ultrasound during surgery",
        "obstetric anesthesiology | labor epidural analgesia"
        " | programmed intermittent epidural bolus; neuraxial anesthesia for cesarean"
        " | epidurals during labor; anesthesia for childbirth",
        "pediatric anesthesiology | anesthetic neurotoxicity in young children"
        " | dexmedetomidine; emergence delirium prevention"
        " | putting kids to sleep safely",
        "pain medicine | chronic pain and opioid-sparing analgesia"
        " | spinal cord stimulation; ketamine infusions"
        " | long-lasting pain; managing pain without opioids",
        "perioperative neurocognitive disorders | postoperative delirium in older adults"
        " | processed EEG-guided anesthesia; multicomponent delirium prevention"
        " | memory problems after surgery in elderly patients",
        "critical care anesthesiology | surgical intensive care outcomes"
        " | veno-arterial ECMO; early extubation"
        " | the surgical ICU; very sick patients after big operations",
        "airway management | difficult airway management"
        " | video laryngoscopy; awake fiberoptic intubation"
        " | placing breathing tubes; patients who are hard to intubate",
    ),
    "radiology": (
        "interventional radiology | image-guided tumor ablation"
        " | microwave ablation; Y-90 radioembolization"
        " | treating tumors with needles guided by scans; pinhole procedures",
        "breast imaging | digital breast tomosynthesis and supplemental screening"
        " | contrast-enhanced mammography; screening MRI"
        " | mammograms; pictures that find breast cancer early",
        "neuroradiology | advanced MRI in brain tumors"
        " | perfusion imaging; MR spectroscopy"
        " | brain scans; reading MRIs of the head",
        "imaging informatics | automated detection on chest radiographs"
        " | deep learning triage; natural language processing of reports"
        " | computers reading x-rays; software that flags urgent scans",
        "musculoskeletal imaging | MRI of sports injuries"
        " | quantitative cartilage mapping; ultrasound-guided injections"
        " | imaging of joint injuries; pictures of torn ligaments",
        "pediatric radiology | radiation dose reduction in pediatric CT"
        " | low-dose protocols; ultrasound-first pathways"
        " | imaging kids with less radiation",
        "emergency radiology | imaging utilization in the emergency department"
        " | clinical decision support for CT; whole-body trauma CT"
        " | scans ordered in the ER; too many CTs",
        "thoracic imaging | incidental pulmonary nodule follow-up"
        " | Fleischner guidelines; automated follow-up tracking"
        " | chest scan findings nobody follows up on",
    ),
    "pathology": (
        "gastrointestinal pathology | dysplasia grading in Barrett's esophagus"
        " | p53 immunohistochemistry; interobserver agreement studies"
        " | looking at biopsies under the microscope; diagnosing precancer",
        "digital pathology | whole-slide imaging and computational pathology"
        " | deep learning on whole-slide images; remote sign-out"
        " | computers analyzing tissue slides",
        "molecular pathology | next-generation sequencing of tumors"
        " | targeted sequencing panels; liquid biopsy"
        " | tumor DNA testing; genetic tests on cancers",
        "transfusion medicine | patient blood management"
        " | restrictive transfusion thresholds; pathogen-reduced platelets"
        " | blood banks; when to give blood",
        "hematopathology | lymphoma classification"
        " | flow cytometry; clonality testing"
        " | diagnosing blood cancers from samples",
        "cytopathology | fine-needle aspiration cytology"
        " | rapid on-site evaluation; liquid-based Pap testing"
        " | Pap smears; diagnosing from a few cells",
        "forensic pathology | autopsy findings in sudden unexpected death"
        " | postmortem CT; toxicology in overdose deaths"
        " | autopsies; figuring out why someone died",
        "neuropathology | neurodegenerative disease brain banking"
        " | tau and alpha-synuclein staging; brain donation programs"
        " | brain tissue from people with dementia",
    ),
    "dermatology": (
        "melanoma | melanoma early detection"
        " | dermoscopy; total body photography"
        " | skin cancer checks; suspicious moles",
        "inflammatory skin disease | biologics for psoriasis and atopic dermatitis"
        " | IL-23 inhibitors; JAK inhibitors"
        " | eczema; scaly itchy rashes",
        "skin of color dermatology | dermatologic disparities in skin of color"
        " | diverse image libraries; hair loss clinics"
        " | rashes on darker skin; skin care for Black and brown patients",
        "Mohs surgery | Mohs micrographic surgery for keratinocyte carcinoma"
        " | Mohs surgery; local reconstruction flaps"
        " | skin cancer surgery on the face",
        "pediatric dermatology | infantile hemangioma"
        " | propranolol; pulsed dye laser"
        " | birthmarks; kids' skin problems",
        "hidradenitis suppurativa | hidradenitis suppurativa outcomes"
        " | adalimumab; deroofing procedures"
        " | painful recurring boils in the armpits",
        "teledermatology | teledermatology access"
        " | store-and-forward consults; AI skin lesion triage"
        " | skin checks by smartphone photos",
        "hospital dermatology | severe cutaneous adverse drug reactions"
        " | Stevens-Johnson syndrome care; inpatient dermatology consults"
        " | bad drug rashes; skin emergencies in the hospital",
    ),
    "ophthalmology": (
        "retina | anti-VEGF therapy in macular degeneration"
        " | intravitreal injections; treat-and-extend regimens"
        " | age-related vision loss; eye injections",
        "glaucoma | glaucoma progression"
        " | minimally invasive glaucoma surgery; selective laser trabeculoplasty"
        " | pressure in the eye; slowly losing side vision",
        "diabetic eye disease | diabetic retinopathy screening"
        " | AI-based retinal image grading; teleophthalmology"
        " | eye damage from high blood sugar",
        "cornea | corneal transplantation"
        " | DMEK; corneal cross-linking"
        " | the clear front window of the eye",
        "pediatric ophthalmology | amblyopia treatment"
        " | patching; dichoptic video game therapy"
        " | lazy eye in children",
        "oculoplastics | thyroid eye disease"
        " | teprotumumab; orbital decompression"
        " | bulging eyes; eyelid surgery",
        "cataract surgery | cataract surgery outcomes in low-resource settings"
        " | manual small-incision cataract surgery; premium intraocular lenses"
        " | cloudy lens surgery; restoring sight",
        "neuro-ophthalmology | idiopathic intracranial hypertension"
        " | optic nerve sheath fenestration; optical coherence tomography"
        " | vision problems caused by the brain; swollen optic nerves",
    ),
    "otolaryngology": (
        "head and neck cancer | HPV-associated oropharyngeal cancer"
        " | transoral robotic surgery; de-escalated radiation"
        " | throat cancer from HPV",
        "cochlear implants | hearing restoration with cochlear implants"
        " | cochlear implantation in older adults; hearing aid access"
        " | hearing loss; helping deaf patients hear",
        "pediatric otolaryngology | pediatric obstructive sleep apnea"
        " | tonsillectomy outcomes; drug-induced sleep endoscopy"
        " | kids who snore; tonsils and ear tubes",
        "rhinology | chronic rhinosinusitis with nasal polyps"
        " | endoscopic sinus surgery; dupilumab"
        " | chronic sinus problems; stuffy nose that never clears",
        "laryngology | voice disorders in professional voice users"
        " | laryngeal botulinum toxin injections; voice therapy"
        " | singers losing their voice; vocal cord problems",
        "facial plastic and reconstructive surgery | facial reanimation after paralysis"
        " | gracilis free flap; nerve transfers"
        " | face paralysis; reconstructive face surgery",
        "thyroid and parathyroid surgery | recurrent laryngeal nerve monitoring"
        " | intraoperative nerve monitoring; radiofrequency ablation of nodules"
        " | neck gland surgery",
        "vestibular disorders | dizziness and vestibular migraine"
        " | vestibular rehabilitation; video head impulse testing"
        " | dizziness and vertigo; balance problems",
    ),
    "urology": (
        "prostate cancer | active surveillance for low-risk prostate cancer"
        " | MRI-targeted biopsy; PSMA PET"
        " | when to watch a cancer instead of treating it; men's cancer screening",
        "kidney stones | kidney stone prevention"
        " | ureteroscopy; dietary stone prevention"
        " | painful stones in the urinary tract",
        "bladder cancer | bladder-sparing treatment for bladder cancer"
        " | intravesical BCG; trimodality therapy"
        " | bladder tumors; keeping the bladder after cancer",
        "voiding dysfunction | overactive bladder and incontinence"
        " | sacral neuromodulation; bladder botulinum toxin injection"
        " | needing to pee all the time; leaking urine",
        "pediatric urology | hypospadias repair outcomes"
        " | tubularized incised plate repair; vesicoureteral reflux management"
        " | birth differences of the urinary tract in boys",
        "andrology | male infertility"
        " | microsurgical sperm retrieval; varicocele repair"
        " | men's health; fertility problems in men",
        "reconstructive urology | urethral stricture surgery"
        " | buccal mucosa graft urethroplasty; gender-affirming genital surgery"
        " | rebuilding the urinary tract",
        "kidney cancer | small renal masses"
        " | robotic partial nephrectomy; percutaneous cryoablation"
        " | kidney tumors found by accident",
    ),
    "physical medicine and rehabilitation": (
        "spinal cord injury medicine | recovery after spinal cord injury"
        " | epidural stimulation; robotic exoskeleton gait training"
        " | helping people walk after paralysis",
        "stroke rehabilitation | upper limb motor recovery after stroke"
        " | constraint-induced movement therapy; brain-computer interfaces"
        " | getting movement back after a brain attack",
        "brain injury medicine | cognitive rehabilitation after traumatic brain injury"
        " | amantadine; return-to-school programs"
        " | recovering from head injuries",
        "musculoskeletal and sports rehabilitation | tendinopathy and regenerative injections"
        " | platelet-rich plasma; ultrasound-guided tenotomy"
        " | sports injuries without surgery",
        "amputee rehabilitation | prosthetic outcomes after limb loss"
        " | osseointegration; targeted muscle reinnervation"
        " | artificial limbs; life after amputation",
        "pediatric rehabilitation | cerebral palsy"
        " | selective dorsal rhizotomy; botulinum toxin for spasticity"
        " | children with disabilities; kids with stiff muscles from birth",
        "cancer rehabilitation | function and fatigue during cancer treatment"
        " | prehabilitation; exercise oncology"
        " | staying strong during chemo",
        "disability health equity | access to care for people with disabilities"
        " | accessible exam equipment; disability competency curricula"
        " | healthcare for wheelchair users; disability rights in medicine",
    ),
    "radiation oncology": (
        "stereotactic radiosurgery | radiosurgery for brain metastases"
        " | stereotactic radiosurgery; hippocampal-avoidance whole-brain radiation"
        " | focused beams for cancer that spread to the brain",
        "proton therapy | proton therapy in pediatric cancer"
        " | pencil-beam scanning protons; normal tissue toxicity modeling"
        " | proton beams; treating kids' cancers with less damage",
        "oligometastatic disease | stereotactic body radiotherapy for oligometastases"
        " | SBRT; ablative radiotherapy"
        " | zapping a few spots of cancer spread",
        "head and neck radiotherapy | radiation-induced xerostomia"
        " | adaptive radiotherapy; salivary gland sparing"
        " | side effects of treating throat cancer; dry mouth after treatment",
        "prostate radiotherapy | hypofractionated radiation for prostate cancer"
        " | hypofractionation; rectal spacers"
        " | shorter treatment courses for men's cancers",
        "breast radiotherapy | partial breast irradiation"
        " | five-fraction whole-breast radiotherapy; accelerated partial breast irradiation"
        " | treatment after lumpectomy",
        "palliative radiotherapy | single-fraction radiotherapy for bone metastases"
        " | single-fraction treatment; rapid-access palliative clinics"
        " | easing cancer pain in the bones",
        "radiation physics and automation | automated treatment planning"
        " | knowledge-based planning; MR-guided radiotherapy"
        " | the physics and software behind cancer beams",
    ),
}
